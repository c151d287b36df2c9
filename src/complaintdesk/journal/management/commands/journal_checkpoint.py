from typing import Any

from django.core.management.base import BaseCommand

from complaintdesk.journal.services import journal_checkpoint


class Command(BaseCommand):
    help = "Seal every journal chain head into a new checkpoint."

    def handle(self, *args: Any, **options: Any) -> None:
        cp = journal_checkpoint()
        self.stdout.write(f"checkpoint {cp.id}: {cp.chains} chains" if cp else "nothing new to seal")

from typing import Any

from django.core.management.base import BaseCommand

from complaintdesk.journal.services import journal_checkpoint


class Command(BaseCommand):
    help = "Seal every journal chain head into a new checkpoint (entries older than 5 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        cp = journal_checkpoint()
        if cp is None:
            self.stdout.write("nothing new to seal")
            return
        self.stdout.write(
            f"checkpoint {cp.id}: {cp.chains} chains, {cp.entries} entries up to entry "
            f"{cp.max_entry_id}, hash {cp.hash}"
        )

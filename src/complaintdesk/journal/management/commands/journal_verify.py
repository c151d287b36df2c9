from typing import Any

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.journal.selectors import journal_verify


class Command(BaseCommand):
    help = "Verify the hash-chained journal: reports OK or the first entry altered, inserted or removed."

    def handle(self, *args: Any, **options: Any) -> None:
        problems, counts = journal_verify()
        if not problems:
            self.stdout.write(
                f"OK: {counts['chains']} chains, {counts['entries']} entries, "
                f"{counts['checkpoints']} checkpoints verified"
            )
            return
        first = problems[0]
        where = f"entry {first.entry_id}" if first.entry_id else "chain"
        raise CommandError(
            f"FAILED: {first.kind} in chain {first.chain} at {where} (seq {first.seq}): {first.detail}"
            + (f" (+{len(problems) - 1} more problems)" if len(problems) > 1 else "")
        )

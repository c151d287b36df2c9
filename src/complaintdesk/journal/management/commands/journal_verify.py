from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaintdesk.journal.domain.chain import Problem
from complaintdesk.journal.selectors import journal_verify

KIND_LABELS = {
    "altered": "altered (content does not match its hash)",
    "inserted": "inserted",
    "removed": "removed",
    "chain_missing": "removed (whole chain)",
    "checkpoint": "checkpoint mismatch",
}


def describe(problem: Problem) -> str:
    where = [f"chain {problem.chain}"]
    if problem.chain.startswith("c:") and problem.chain[2:].isdigit():
        code = (
            apps.get_model("complaints", "Complaint")
            .objects.filter(pk=int(problem.chain[2:]))
            .values_list("code", flat=True)
            .first()
        )
        if code:
            where.append(f"complaint {code}")
    if problem.entry_id is not None:
        where.insert(0, f"entry {problem.entry_id}")
    if problem.seq is not None:
        where.append(f"seq {problem.seq}")
    return f"{problem.kind} at {', '.join(where)}: {problem.detail}"


class Command(BaseCommand):
    help = "Verify the hash-chained journal: reports OK or the first entry altered, inserted or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-checkpoints",
            action="store_true",
            help="re-check the digest of every checkpoint, not only the newest (slow)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems, counts = journal_verify(all_checkpoints=options["all_checkpoints"])
        if not problems:
            self.stdout.write(
                f"OK: {counts['chains']} chains, {counts['entries']} entries, "
                f"{counts['checkpoints']} checkpoints verified"
            )
            return
        for problem in problems[1:20]:
            self.stderr.write(f"also: {describe(problem)}")
        more = f" (+{len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise CommandError(f"FAILED: {describe(problems[0])}{more}")

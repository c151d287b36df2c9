from complaintdesk.complaints.services import complaint_transition
from complaintdesk.journal.models import JournalEntry
from complaintdesk.journal.selectors import journal_verify


def test_create_acknowledge_and_verify_journal(org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    assert complaint.code.startswith("KN-")
    assert complaint.status == "received"
    complaint = complaint_transition(complaint=complaint, action="acknowledge", actor=org.receiver)
    assert complaint.status == "acknowledged"
    problems, counts = journal_verify()
    assert problems == []
    actions = JournalEntry.objects.filter(complaint_id=complaint.pk).values_list(
        "action", flat=True
    )
    assert [a for a in actions.order_by("seq") if a.startswith(("complaint.", "action."))] == [
        "complaint.created",
        "action.acknowledge",
    ]
    assert counts["entries"] == JournalEntry.objects.count()

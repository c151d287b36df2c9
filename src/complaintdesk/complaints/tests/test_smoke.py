from complaintdesk.complaints.services import complaint_transition
from complaintdesk.journal.selectors import journal_verify


def test_create_acknowledge_and_verify_journal(org, complaint_factory):
    complaint = complaint_factory.create(actor=org.receiver)
    assert complaint.code.startswith("KN-")
    assert complaint.status == "received"
    complaint = complaint_transition(complaint=complaint, action="acknowledge", actor=org.receiver)
    assert complaint.status == "acknowledged"
    problems, counts = journal_verify()
    assert problems == []
    assert counts["entries"] == 2

"""The email channel: IMAP polling (``imap``), parsing (``parse``, ``text``) and sending (``outbound``).

Nothing here imports ``complaints``: parsed mails go to ``intake.services`` through ``intake.jobs``.
"""

"""Conduct: incidents (opened from decisions or by hand, assigned, resolved) and sanctions
(suspensions and revocations of access), each with its full history."""

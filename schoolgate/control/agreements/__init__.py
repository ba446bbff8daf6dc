"""Acknowledgments: who must sign which version of the policy, the signatures (hash-chained
evidence), re-acknowledgment after a material change, reminders and the outstanding report."""

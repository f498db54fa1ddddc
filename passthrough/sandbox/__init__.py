"""A sandbox: passthrough with simulated Jira, Confluence and OpenProject, so anyone can try every tool.

The simulated products are the same fakes the test suite runs against. They
listen on loopback only and hold demo accounts whose tokens are public.
"""

from passthrough.sandbox._run import DEMO, DEMO_USERS, SAM, sandbox_environment, sandbox_guide

__all__ = ["DEMO", "DEMO_USERS", "SAM", "sandbox_environment", "sandbox_guide"]

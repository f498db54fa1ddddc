"""Acceptance tests for several replicas (issue 20): real redis-server, HAProxy and passthrough processes."""

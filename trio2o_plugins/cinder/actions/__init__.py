"""Volume actions: ``POST /v3/volumes/{id}/action``, one handler per key."""

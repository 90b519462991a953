"""Server actions (``POST /servers/{id}/action``): the dispatcher and the
built-in handlers, one module per family."""

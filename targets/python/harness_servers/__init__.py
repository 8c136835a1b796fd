"""How the harness starts each real server on a listening socket it opened (descriptor 3)."""

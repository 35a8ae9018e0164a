"""Identity context: accounts, tokens, roles and permissions, the guard every function uses."""

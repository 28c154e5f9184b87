"""Saved queries as a team keeps them: create and change them (`queries`), their version
history, per-user editor drafts, formatting, and the workspace's save/fork/trash flow."""

"""The socket side: the listener that gives each connection a thread and a session, TLS,
and the SCRAM-SHA-256 exchange."""

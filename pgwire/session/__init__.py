"""One client session: the state machine (`machine`) from startup through the simple and
extended query protocols, statement preparation and execution, the utility commands it
answers itself, its settings and its temporary tables."""

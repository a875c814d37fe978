"""A talker and a listener: the smallest graph, for checking a set-up end to end."""

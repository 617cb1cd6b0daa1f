"""Event types: the kinds of event game servers send, with their typed properties."""

"""Narration: backward told one chain-rule step at a time (``steps``) and the whole lesson as
text (``explain``). It observes the engine's backward loop through the node protocol and never
names a node class or an op."""

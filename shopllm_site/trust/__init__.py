"""Checks shared by every app that shows text to a model or stores text from people: plain
functions on plain values, importing no Django app."""

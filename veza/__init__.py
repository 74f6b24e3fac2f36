"""Veza: a self-hostable platform for music communities."""

"""Agencies of the network, as each user's scope lets them see."""

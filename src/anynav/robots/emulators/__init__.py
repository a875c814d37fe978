"""Robot stand-ins that speak the real protocols, for tests and `anynav launch` demo runs without hardware."""

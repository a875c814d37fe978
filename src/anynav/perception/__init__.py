"""Perception cores: camera context buffer and LiDAR height map."""

"""anynav: a ROS 2 navigation stack that runs learned navigation policies on board."""

__version__ = "0.1.0"

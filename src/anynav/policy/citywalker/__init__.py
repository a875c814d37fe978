"""CityWalker (`CityWalkerFeat`): urban waypoint navigation from 5 frames and positions at 1 s."""

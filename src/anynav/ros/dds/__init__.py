"""The dds backend: rclpy's node API on Cyclone DDS, speaking the ROS 2 wire format."""

namespace slayer::sim {}

"""LogoNav (MBRA's `IL_gps`): GPS/pose-goal navigation from 6 frames at 0.3 s."""

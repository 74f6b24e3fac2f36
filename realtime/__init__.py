"""Live delivery over WebSockets: broadcast after commit, groups, presence, the hub and de-duplication."""

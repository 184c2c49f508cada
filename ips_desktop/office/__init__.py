"""PPO-side logic without Qt: enrolment, inbox verification, visit board (later issues)."""

"""Who auth's events say they come from."""

SOURCE = "auth-service"  # the CloudEvents `source` of every event auth publishes
PRODUCER = "auth"  # the first part of their routing keys (`auth.UserSignIn`)

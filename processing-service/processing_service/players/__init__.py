"""The players processing knows: announced by `auth.UserCreated` or seen signing in."""

"""The one authorization layer: who may read and write what (roles and scopes)."""

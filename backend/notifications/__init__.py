"""Push notifications and reminders: rules, their scheduler, Web Push delivery, the in-app list."""

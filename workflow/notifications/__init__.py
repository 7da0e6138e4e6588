"""In-app notifications and e-mail: deadline reminders reach people in the app and by SMTP."""

"""timesheet: log hours against projects and print the weekly report."""

__version__ = '1.4.2'

"""CRM use cases: customers, interactions, deals, reminders, the customer card,
sales reports and client groups. Each takes the session and the acting user,
checks permissions (domain.permissions) and raises DomainError on bad input."""

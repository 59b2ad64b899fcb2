"""Purchase orders after planning: their life from draft to closed, and what a supplier is sent."""

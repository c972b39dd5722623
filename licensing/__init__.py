"""Applications (new, transfer, renewal, address change), the working group, licences."""

"""Replies by email: a customer's answer to the portal's email lands on their case."""

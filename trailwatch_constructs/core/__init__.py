"""The ground floor: named errors, CloudWatch's limits and the value checks every layer shares."""

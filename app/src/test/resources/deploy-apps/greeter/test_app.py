import unittest

from app import greeting


class GreetingTest(unittest.TestCase):
    def test_greets(self):
        self.assertTrue(greeting().startswith("hello from "), greeting())

import unittest

from slug import slugify


class SlugifyTest(unittest.TestCase):
    def test_words(self):
        self.assertEqual(slugify("Hello, World"), "hello-world")

    def test_numbers_are_kept(self):
        self.assertEqual(slugify("Top 10 tips"), "top-10-tips")


if __name__ == "__main__":
    unittest.main()

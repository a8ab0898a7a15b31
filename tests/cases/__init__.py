"""Cases the test suite runs and the documentation lists: one source for both.

:mod:`cases.bad_input` is the registry of bad input tried (hostile files, bad shapes,
fuzzed formats) and what the library does with each, built by :mod:`cases.files`;
:mod:`cases.contract` is the contract every report and every CLI run must keep, whatever
the input. The docs hook ``docs/hooks/kedocs_tried.py`` reads the registry to write the
page "Bad input tried", so that the page cannot list a case no test runs, or miss one a
test does.
"""

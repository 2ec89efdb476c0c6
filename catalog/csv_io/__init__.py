"""CSV import and export of products, customers and interactions.

`columns` says what each column means and how a cell is checked, `imports` runs an upload as a
job (all rows valid, or nothing imported), `exports` streams the same column set back out.
"""

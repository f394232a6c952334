"""billing: rating, periodic billing and abnormal bills (issue 16).

This slice holds only the pure pricing layer (`pricing`, `calculators`, `charges`,
`time_of_day`, `discounts`, `money`); the models and the `Module` manifest come later, so
importing the package registers nothing.
"""

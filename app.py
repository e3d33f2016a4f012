"""LSTM Explorer — run with: streamlit run app.py"""

from explorer.ui.first_paint import first_paint

with first_paint():  # a fresh server imports TensorFlow here: show the graph's structure meanwhile
    from explorer.ui.page import main

main()

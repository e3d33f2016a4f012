"""LSTM Explorer: streamlit run app.py"""

import streamlit as st

st.set_page_config(page_title="LSTM Explorer", layout="wide")
st.title("LSTM Explorer")
st.write("The engine is in `explorer/`; the app is being built.")

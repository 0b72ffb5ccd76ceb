-- Database and schema that hold the Amplitude tables, stage and file format.
CREATE DATABASE IF NOT EXISTS {{database}};
CREATE SCHEMA IF NOT EXISTS {{schema}};

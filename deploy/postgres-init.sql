-- Run once by the postgres image on an empty volume: Prefect's own database beside ours.
CREATE DATABASE prefect OWNER diplowatch;

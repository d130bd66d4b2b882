namespace slayer::airflow {}

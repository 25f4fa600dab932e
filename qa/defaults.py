"""The categories Lumen starts with, and the keywords the classifier's fallback matches on.

Admins manage categories in the admin; these are what `seed_qa_demo` (and a fresh site) creates.
Keywords are lower-case words or phrases; a question mentioning more of one category's keywords
than any other's is put there when the classifier is unsure.
"""

from __future__ import annotations

DEFAULT_CATEGORIES: list[dict[str, object]] = [
    {
        "name": "DevOps",
        "slug": "devops",
        "description": "Deploying, running and automating software: containers, CI/CD, cloud.",
        "keywords": [
            "docker", "dockerfile", "container", "kubernetes", "kubectl", "k8s", "helm", "ci/cd",
            "pipeline", "github actions", "gitlab ci", "jenkins", "nginx", "terraform", "ansible",
            "aws", "ec2", "gcp", "azure", "deploy", "deployment", "prometheus", "grafana",
            "systemd", "linux", "ssh", "load balancer", "devops", "infrastructure",
        ],
    },
    {
        "name": "Python",
        "slug": "python",
        "description": "The Python language, its standard library, Django, Flask and FastAPI.",
        "keywords": [
            "python", "pip", "venv", "virtualenv", "django", "flask", "fastapi", "asyncio",
            "pytest", "decorator", "pyproject", "mypy", "pep 8", "dataclass", "celery",
            "sqlalchemy", "python3",
        ],
    },
    {
        "name": "JavaScript",
        "slug": "javascript",
        "description": "JavaScript and TypeScript in browsers and Node.js, and their frameworks.",
        "keywords": [
            "javascript", "js", "typescript", "node", "node.js", "npm", "react", "vue",
            "angular", "svelte", "next.js", "express", "dom", "promise", "async/await",
            "webpack", "vite", "jest", "eslint", "json", "fetch",
        ],
    },
    {
        "name": "AI/ML",
        "slug": "ai-ml",
        "description": "Machine learning, deep learning, language models and their evaluation.",
        "keywords": [
            "machine learning", "deep learning", "neural network", "model training", "pytorch",
            "tensorflow", "keras", "scikit-learn", "sklearn", "llm", "language model",
            "transformer", "embedding", "embeddings", "gradient", "overfitting", "classifier",
            "fine-tuning", "gpu", "cuda", "prompt", "rag", "epoch",
        ],
    },
    {
        "name": "Data",
        "slug": "data",
        "description": "SQL, pandas, statistics, pipelines, dashboards and visualisation.",
        "keywords": [
            "sql", "query", "join", "pandas", "dataframe", "csv", "excel", "spreadsheet",
            "dashboard", "bi", "tableau", "power bi", "statistics", "statistical", "etl",
            "airflow", "dbt", "warehouse", "analytics", "chart", "postgresql", "data pipeline",
        ],
    },
    {
        "name": "Design",
        "slug": "design",
        "description": "UI and UX design, accessibility, typography, colour and design tools.",
        "keywords": [
            "design", "designer", "ui", "ux", "figma", "sketch", "wireframe", "prototype",
            "typography", "font", "colour", "color", "contrast", "layout", "usability",
            "accessibility", "wcag", "icon", "logo", "persona", "user research", "mockup",
        ],
    },
    {
        "name": "Career",
        "slug": "career",
        "description": "Job search, interviews, CVs, salaries, growing and changing careers.",
        "keywords": [
            "career", "job", "interview", "resume", "cv", "salary", "recruiter", "hiring",
            "portfolio", "internship", "promotion", "manager", "offer", "linkedin", "freelance",
            "mentor", "burnout", "junior", "raise",
        ],
    },
]  # fmt: skip
